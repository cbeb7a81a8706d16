// The shortcut sheet `?` opens: every shortcut of the agent view with its keys, in the console's language.
import { useI18n } from '../i18n';
import { Modal } from '../ui';
import { SHORTCUT_WORDS } from './shortcut-words';
import { SHORTCUTS } from './shortcuts';

export function ShortcutSheet({ onClose }: { onClose: () => void }) {
  const { language } = useI18n();
  const words = SHORTCUT_WORDS[language];
  return (
    <Modal title={words.title} onCancel={onClose} testId="shortcut-sheet">
      <p className="muted small">{words.intro}</p>
      <table className="shortcut-table">
        <thead>
          <tr>
            <th scope="col">{words.keys}</th>
            <th scope="col">{words.action}</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.id}>
              <td>
                {shortcut.keys.map((key, index) => (
                  <span key={key}>
                    {index > 0 && ' + '}
                    <kbd>{key}</kbd>
                  </span>
                ))}
              </td>
              <td>{words.actions[shortcut.id]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row-actions">
        <button type="button" onClick={onClose}>
          {words.close}
        </button>
      </div>
    </Modal>
  );
}
