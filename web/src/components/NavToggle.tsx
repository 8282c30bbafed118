import { app } from '../state/stores';
import { setNavOpen } from '../state/ui';
import { useStore } from '../store';
import { IconMenu } from './icons';

/** The phone layout's button that slides the conversation list in (chat header and panel header). */
export function NavToggle() {
  const navOpen = useStore(app, (a) => a.navOpen);
  return (
    <button
      type="button"
      class="icon-btn nav-toggle"
      aria-label="Show conversations"
      aria-controls="sidebar"
      aria-expanded={navOpen ? 'true' : 'false'}
      onClick={() => setNavOpen(true)}
    >
      <IconMenu />
    </button>
  );
}
