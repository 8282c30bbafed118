import type { ComponentChildren } from 'preact';

/** A labelled on/off switch with its explanation, the way every settings section shows one. */
export function SwitchRow(props: {
  id: string;
  label: ComponentChildren;
  help: ComponentChildren;
  checked: boolean;
  onChange: (checked: boolean) => void;
  class?: string;
}) {
  return (
    <div class={props.class ? `switch-row ${props.class}` : 'switch-row'}>
      <div>
        <label for={props.id} class="switch-label">
          {props.label}
        </label>
        <p class="field-help" id={`${props.id}-help`}>
          {props.help}
        </p>
      </div>
      <input
        id={props.id}
        type="checkbox"
        role="switch"
        class="switch"
        checked={props.checked}
        aria-describedby={`${props.id}-help`}
        onChange={(e) => props.onChange((e.currentTarget as HTMLInputElement).checked)}
      />
    </div>
  );
}
