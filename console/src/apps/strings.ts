// English and French strings of the Apps pages, loaded with them (not in the first load's dictionary); the French is
// typed against the English, so a missing translation does not compile.
import { useI18n } from '../i18n';

const en = {
  'apps.title': 'Apps',
  'apps.intro': 'Apps from the marketplace extend the console: product lists, visitor profiles, closing forms.',
  'apps.marketplace': 'Marketplace',
  'apps.none': 'No app in the marketplace yet.',
  'apps.by': 'by {developer}',
  'apps.free': 'Free',
  'apps.price': '{price} per user per month',
  'apps.version': 'Version {version}',
  'apps.installed': 'Installed',
  'apps.install': 'Install',
  'apps.installName': 'Install {name}',
  'apps.installedList': 'Installed apps',
  'apps.app': 'App',
  'apps.noneInstalled': 'No app installed.',
  'apps.websites': 'Websites',
  'apps.installedOn': 'Installed on',
  'apps.uninstall': 'Uninstall',
  'apps.uninstallName': 'Uninstall {name}',
  'apps.uninstallConfirm':
    'Uninstall {name}? Its interactions leave the console, its webhooks and its API key are removed.',
  'apps.uninstalling': 'Uninstalling…',
  'apps.cancel': 'Cancel',
  'apps.justInstalled': '{name} is installed.',
  'apps.justUninstalled': '{name} is uninstalled.',
  'apps.back': 'All apps',
  'apps.unknown': 'This app is not in your marketplace.',
  'apps.already': 'This app is already installed.',
  'apps.stepOf': 'Step {current} of {total}',
  'apps.step.authentication': 'Authentication',
  'apps.step.settings': 'Settings',
  'apps.step.websites': 'Websites',
  'apps.next': 'Next',
  'apps.checking': 'Checking…',
  'apps.previous': 'Back',
  'apps.installing': 'Installing…',
  'apps.websitesIntro': 'The websites whose conversations get the app.',
  'apps.noWebsite': 'Choose at least one website.',
  'apps.refused': 'The app refused these values.',
  'apps.interaction.product_list': 'Product list',
  'apps.interaction.visitor_profile': 'Visitor profile',
  'apps.interaction.conversation_closing': 'Closing form',
};

export type AppsKey = keyof typeof en;

const fr: Record<AppsKey, string> = {
  'apps.title': 'Applications',
  'apps.intro':
    'Les applications de la marketplace enrichissent la console : catalogue produits, profil visiteur, formulaire de clôture.',
  'apps.marketplace': 'Marketplace',
  'apps.none': 'Aucune application dans la marketplace pour l’instant.',
  'apps.by': 'par {developer}',
  'apps.free': 'Gratuit',
  'apps.price': '{price} par utilisateur et par mois',
  'apps.version': 'Version {version}',
  'apps.installed': 'Installée',
  'apps.install': 'Installer',
  'apps.installName': 'Installer {name}',
  'apps.installedList': 'Applications installées',
  'apps.app': 'Application',
  'apps.noneInstalled': 'Aucune application installée.',
  'apps.websites': 'Sites',
  'apps.installedOn': 'Installée le',
  'apps.uninstall': 'Désinstaller',
  'apps.uninstallName': 'Désinstaller {name}',
  'apps.uninstallConfirm':
    'Désinstaller {name} ? Ses interactions quittent la console, ses webhooks et sa clé d’API sont supprimés.',
  'apps.uninstalling': 'Désinstallation…',
  'apps.cancel': 'Annuler',
  'apps.justInstalled': '{name} est installée.',
  'apps.justUninstalled': '{name} est désinstallée.',
  'apps.back': 'Toutes les applications',
  'apps.unknown': 'Cette application n’est pas dans votre marketplace.',
  'apps.already': 'Cette application est déjà installée.',
  'apps.stepOf': 'Étape {current} sur {total}',
  'apps.step.authentication': 'Authentification',
  'apps.step.settings': 'Paramètres',
  'apps.step.websites': 'Sites',
  'apps.next': 'Suivant',
  'apps.checking': 'Vérification…',
  'apps.previous': 'Retour',
  'apps.installing': 'Installation…',
  'apps.websitesIntro': 'Les sites dont les conversations reçoivent l’application.',
  'apps.noWebsite': 'Choisissez au moins un site.',
  'apps.refused': 'L’application a refusé ces valeurs.',
  'apps.interaction.product_list': 'Catalogue produits',
  'apps.interaction.visitor_profile': 'Profil visiteur',
  'apps.interaction.conversation_closing': 'Formulaire de clôture',
};

export type AppsText = (key: AppsKey, values?: Record<string, string | number>) => string;

/** The Apps pages' translator in the console's language; `{name}` placeholders are filled from `values`. */
export function useAppsText(): AppsText {
  const { language } = useI18n();
  const dictionary = language === 'fr' ? fr : en;
  return (key, values) =>
    dictionary[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values !== undefined && name in values ? String(values[name]) : whole,
    );
}

/** An interaction's words; an unknown one (a newer server) shows as it is named. */
export function interactionWords(text: AppsText, interaction: string): string {
  const key = `apps.interaction.${interaction}` as AppsKey;
  return key in en ? text(key) : interaction;
}
