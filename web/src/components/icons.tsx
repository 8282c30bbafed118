import type { JSX } from 'preact';

/** Inline SVG icons (stroke style), decorative: the buttons that hold them carry the labels. */
function Icon({ d, size = 18, children }: { d?: string; size?: number; children?: JSX.Element | JSX.Element[] }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      {d ? <path d={d} /> : children}
    </svg>
  );
}

export const IconPlus = () => <Icon d="M12 5v14M5 12h14" />;
export const IconSearch = () => (
  <Icon>
    <circle cx="11" cy="11" r="7" />
    <path d="m20 20-3.5-3.5" />
  </Icon>
);
export const IconSettings = () => (
  <Icon>
    <circle cx="12" cy="12" r="3" />
    <path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z" />
  </Icon>
);
export const IconMore = () => (
  <Icon>
    <circle cx="5" cy="12" r="1.2" />
    <circle cx="12" cy="12" r="1.2" />
    <circle cx="19" cy="12" r="1.2" />
  </Icon>
);
export const IconMenu = () => <Icon d="M4 6h16M4 12h16M4 18h16" />;
export const IconClose = () => <Icon d="M6 6l12 12M18 6 6 18" />;
export const IconSend = () => <Icon d="M12 19V5M5 12l7-7 7 7" />;
export const IconStop = () => (
  <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false">
    <rect x="1" y="1" width="12" height="12" rx="2.5" fill="currentColor" />
  </svg>
);
export const IconTool = () => <Icon d="M14.7 6.3a4 4 0 0 0-5.4 5.4L3 18l3 3 6.3-6.3a4 4 0 0 0 5.4-5.4l-2.6 2.6-2.4-.6-.6-2.4z" />;
export const IconCopy = () => (
  <Icon>
    <rect x="9" y="9" width="12" height="12" rx="2" />
    <path d="M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1" />
  </Icon>
);
export const IconAlert = () => (
  <Icon>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7v6M12 16.5v.5" />
  </Icon>
);
export const IconPencil = () => <Icon d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z" />;
export const IconTrash = () => <Icon d="M3 6h18M8 6V4h8v2M6 6l1 14h10l1-14" />;
export const IconDownload = () => <Icon d="M12 3v12M6 11l6 6 6-6M4 21h16" />;
export const IconArrowDown = () => <Icon d="M12 5v14M5 12l7 7 7-7" />;
export const IconKey = () => (
  <Icon>
    <circle cx="8" cy="15" r="4" />
    <path d="m10.8 12.2 9.2-9.2M16 7l3 3M14 9l2 2" />
  </Icon>
);

/** The PocketPaw mark. */
export function PawLogo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 64 64" aria-hidden="true" focusable="false" class="logo">
      <rect width="64" height="64" rx="16" fill="var(--accent)" />
      <g fill="#fff">
        <ellipse cx="32" cy="41" rx="12" ry="10" />
        <ellipse cx="17" cy="28" rx="5" ry="6.5" />
        <ellipse cx="26" cy="19" rx="5" ry="6.5" />
        <ellipse cx="38" cy="19" rx="5" ry="6.5" />
        <ellipse cx="47" cy="28" rx="5" ry="6.5" />
      </g>
    </svg>
  );
}
