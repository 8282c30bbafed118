/**
 * A one-line progress bar on a terminal; on a pipe or log file, a line every 10% so the
 * output stays readable.
 */
export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY === true;
  let lastDecile = -1;
  const started = Date.now();
  return {
    update(done: number, total: number) {
      const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
      if (tty) {
        const width = 30;
        const filled = Math.round((pct / 100) * width);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct}% (${done}/${total})`);
      } else {
        const decile = Math.floor(pct / 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          stream.write(`${label}: ${pct}% (${done}/${total})\n`);
        }
      }
    },
    finish() {
      if (tty) stream.write('\n');
      return (Date.now() - started) / 1000;
    },
  };
}
