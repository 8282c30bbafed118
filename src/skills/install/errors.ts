/** Why an install cannot go on, with the HTTP status PocketPaw answers it with (spec §3.11). */
export class SkillInstallError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Limits of one install: a skill is a few instructions and scripts, not a data set. */
export const INSTALL_LIMITS = {
  /** Bytes of an archive download. */
  archiveBytes: 20 * 1024 * 1024,
  /** Bytes of the files an archive unpacks to, and of the skills one install copies. */
  unpackedBytes: 50 * 1024 * 1024,
  /** Entries of an archive, and files one install copies. */
  entries: 5000,
  /** Seconds a clone or a download may take (PocketPaw: 30 s clones). */
  timeoutSeconds: 30,
} as const;
