// The Campaigns page's way to the message templates (its own two words, so the Campaigns strings stay its own).
import { useI18n } from '../i18n';
import { navigate } from '../router';

export function TemplatesLink() {
  const { language } = useI18n();
  return (
    <a
      href="/admin/campaigns/templates"
      onClick={(event) => {
        event.preventDefault();
        navigate('/admin/campaigns/templates');
      }}
    >
      {language === 'fr' ? 'Modèles de messages' : 'Message templates'}
    </a>
  );
}
