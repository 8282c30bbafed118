/** Spec §3.7, in PocketPaw's order. */
export const CHANNELS = ['discord', 'slack', 'whatsapp', 'telegram', 'signal', 'matrix', 'teams', 'google_chat'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** The channels this server can run; the others are listed (spec §3.7) but report "not configured". */
export const RUNNABLE_CHANNELS = ['telegram', 'discord', 'slack', 'whatsapp'] as const;
export type RunnableChannel = (typeof RUNNABLE_CHANNELS)[number];

/** One channel in `channels/status`. */
export interface ChannelStatus {
  configured: boolean;
  running: boolean;
  autostart: boolean;
  mode?: string;
}

/** `channels/toggle` answers (spec §3.7): the state, or a soft failure with status 200. */
export type ToggleResult =
  | { channel: ChannelName; configured: boolean; running: boolean }
  | { error: string }
  | { missing_dep: true; channel: ChannelName; package: string; pip_spec: string };
