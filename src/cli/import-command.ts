import { importPocketPaw, type ImportSummary } from '../import/import.js';
import { locatePocketPawDir } from '../import/pocketpaw-dir.js';
import { createMemoryImporter } from '../memory/import.js';
import { plural } from '../lib/plural.js';
import { openSessionsForCli } from './open-store.js';
import { createProgress } from './progress.js';

export function runImport(dir: string, opts: { json?: boolean }): number {
  // Check the source before creating anything in the data dir.
  locatePocketPawDir(dir);
  const { config, db, store, close } = openSessionsForCli();
  const progress = createProgress('Importing sessions');
  let summary: ImportSummary;
  try {
    summary = importPocketPaw(dir, {
      home: config.home, store,
      onProgress: (p) => {
        if (p.stage === 'files') progress.update(p.done, p.total);
        // The bar stands at 100 % while the index is built: say why it is not done yet.
        else process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}Building the search index for the imported messages…\n`);
      },
      importMemory: createMemoryImporter(db, config.home),
    });
  } finally {
    close();
  }
  const seconds = progress.finish();
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `Imported from ${summary.source} in ${seconds.toFixed(1)} s`,
    `  sessions: ${summary.sessionsCreated} new, ${summary.sessionsUpdated} updated, ${summary.sessionsUnchanged} already up to date (${plural(summary.sessionFiles, 'file')})`,
    `  messages: ${summary.messagesImported} imported${summary.messagesSkipped ? `, ${summary.messagesSkipped} unreadable skipped` : ''}`,
    `  renamed sessions kept their titles: ${summary.renamedSessions}`,
  ];
  const c = summary.credentials;
  if (c.token === 'imported') lines.push('  access token: imported — your existing clients keep working');
  if (c.token === 'kept-existing') lines.push('  access token: kept this installation\'s token (run `pocketpaw token` to see it)');
  if (typeof c.apiKeys === 'number') lines.push(`  API keys: ${c.apiKeys} imported`);
  if (c.apiKeys === 'kept-existing') lines.push('  API keys: kept this installation\'s keys; PocketPaw\'s were not merged');
  for (const p of c.problems) lines.push(`  note: ${p}`);
  if (summary.memory && (summary.memory.files || summary.memory.entries)) {
    lines.push(`  long-term memory: ${plural(summary.memory.entries, 'entry', 'entries')} imported from ${plural(summary.memory.files, 'file')}`);
  }
  for (const p of summary.memory?.problems ?? []) lines.push(`  note: ${p}`);
  const cfg = summary.config;
  if (cfg.applied.length) lines.push(`  settings: ${cfg.applied.length} imported (${cfg.applied.join(', ')})`);
  if (cfg.secrets.length) lines.push(`  keys: ${cfg.secrets.length} imported`);
  if (cfg.unknown.length) lines.push(`  settings not understood, left out: ${cfg.unknown.join(', ')}`);
  for (const p of cfg.problems) lines.push(`  note: ${p}`);
  const mcp = summary.mcp;
  if (mcp.imported.length) lines.push(`  MCP servers: ${mcp.imported.length} imported (${mcp.imported.join(', ')})`);
  if (mcp.kept.length) lines.push(`  MCP servers already here, kept ours: ${mcp.kept.join(', ')}`);
  for (const p of mcp.problems) lines.push(`  note: ${p}`);
  for (const n of summary.notes) lines.push(`  note: ${n}`);
  if (summary.failures.length) {
    lines.push(`  ${plural(summary.failures.length, 'file')} not imported (the rest were):`);
    for (const f of summary.failures) lines.push(`    - ${f.file}: ${f.reason}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
