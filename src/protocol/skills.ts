/** The skills routes' shapes (spec §3.11), shared by the server and the dashboard. Types only. */

/** `GET /api/skills`: a user-invocable skill. */
export interface SkillSummary {
  name: string;
  description: string;
  argument_hint: string;
}

/** One skill as the install preview (`dry_run`, ours) shows it: what would be written, and where. */
export interface SkillPreview {
  name: string;
  /** The folder it is installed as: `<data dir>/skills/<dir>`. */
  dir: string;
  description: string;
  argument_hint: string;
  user_invocable: boolean;
  allowed_tools: string[];
  /** Relative paths, at most 200 (`file_count` has them all). */
  files: string[];
  file_count: number;
  /** Bytes of its files. */
  size: number;
  /** A skill folder of that name exists and would be replaced. */
  replaces: boolean;
}

/** Where an install comes from (ours): PocketPaw's `owner/repo[/skill]`, any git URL, an archive URL, a folder. */
export type SkillSourceKind = 'github' | 'git' | 'archive' | 'folder';

/** `POST /api/skills/install`: the preview (`dry_run`), or what was installed. */
export type SkillInstallResult =
  | { status: 'preview'; source: string; kind: SkillSourceKind; skills: SkillPreview[] }
  | { status: 'ok'; installed: string[]; source: string; kind: SkillSourceKind };
