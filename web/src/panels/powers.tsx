import { useEffect, useState } from 'preact/hooks';
import { PowersSection, powersKey } from '../components/PowersSection';
import { loadSettings } from '../state/settings';
import { app } from '../state/stores';
import { useStore } from '../store';
import { Loading } from './common';

/** Agent powers: the Settings form itself (tool profile, approvals, sandbox status), as a page. */
export default function PowersPanel() {
  const settings = useStore(app, (a) => a.settings);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    void loadSettings();
  }, []);
  if (!settings) return <Loading what="settings" />;
  return (
    <div class="pn-settings">
      <PowersSection key={powersKey(settings)} settings={settings} saved={saved} setSaved={setSaved} />
    </div>
  );
}
