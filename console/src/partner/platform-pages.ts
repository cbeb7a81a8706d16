// The platform admin's developer-platform pages, one chunk loaded on demand by the partner area (platform key only).
export { AppReviewPage } from './AppReviewPage';
export { DevelopersPage } from './DevelopersPage';
