import { SkillsPanel } from '../components/SkillsPanel';

/** Skills: the same panel as in Settings, as a page of its own. */
export default function SkillsPage() {
  return <SkillsPanel />;
}
