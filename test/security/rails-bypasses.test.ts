import { describe, expect, it } from 'vitest';
import { checkRails, MAX_COMMAND_CHARS } from '../../src/tools/shell/rails.js';

// Known bypasses of the dangerous-command rails (issue: linear-time patterns). The rails are a
// fast first refusal; the sandbox is the real boundary. Timing is measured in bench/patterns.ts.

describe('rails: known bypasses are refused', () => {
  const blocked: Array<[string, string]> = [
    ['rm -rf -- ~', 'rm-root'],
    ['rm -rf -- /', 'rm-root'],
    ['rm ~ -rf', 'rm-root'],
    ['x=rm; $x -rf ~', 'rm-root'],
    ['x=rm && "$x" -rf "$HOME"', 'rm-root'],
    ['R=/bin/rm; ${R} -r -f /', 'rm-root'],
    ['rm -r -f -- *', 'rm-star'],
    ['find ~ -delete', 'find-delete-root'],
    ['find / -name x -delete', 'find-delete-root'],
    ['find / -type f -name "*.log" -delete', 'find-delete-root'],
    ['find $HOME -delete', 'find-delete-root'],
    ['find "${HOME}" -mindepth 1 -delete', 'find-delete-root'],
    ['find ~/ -type f -exec rm -f {} +', 'find-delete-root'],
    ['cd /tmp; find /etc -delete', 'find-delete-root'],
    [`python3 -c "import shutil; shutil.rmtree('/')"`, 'script-delete-home'],
    [`python3 -c "import shutil, os; shutil.rmtree(os.path.expanduser('~'))"`, 'script-delete-home'],
    [`python -c 'import shutil,pathlib; shutil.rmtree(pathlib.Path.home())'`, 'script-delete-home'],
    [`python3 -c "import shutil,os; shutil.rmtree(os.environ['HOME'])"`, 'script-delete-home'],
    [`node -e "require('fs').rmSync(require('os').homedir(), {recursive: true, force: true})"`, 'script-delete-home'],
    [`node -e "fs.rmSync('/', {recursive:true})"`, 'script-delete-home'],
    [`node -e "require('fs').rmSync(process.env.HOME, {recursive:true})"`, 'script-delete-home'],
    [`ruby -e "require 'fileutils'; FileUtils.rm_rf(Dir.home)"`, 'script-delete-home'],
    [`perl -MFile::Path=remove_tree -e 'remove_tree($ENV{HOME})'`, 'script-delete-home'],
    ['echo cm0gLXJmIH4= | base64 -d | sh', 'decode-to-shell'],
    ['echo cm0gLXJmIH4= | base64 --decode | bash', 'decode-to-shell'],
    ['echo cm0gLXJmIH4= | base64 -di | /bin/bash', 'decode-to-shell'],
    ['base64 --decode <<< cm0gLXJmIH4= | bash', 'decode-to-shell'],
    ['base64 -d <<< cm0gLXJmIH4= | sudo sh -s', 'decode-to-shell'],
    ['sh -c "$(echo cm0gLXJmIH4= | base64 -d)"', 'decode-to-shell'],
    ['bash -c "$(base64 --decode <<< cm0gLXJmIH4=)"', 'decode-to-shell'],
    ['bash -c `echo cm0gLXJmIH4= | base64 -d`', 'decode-to-shell'],
    ['$(echo cm0gLXJmIH4= | base64 -d)', 'decode-to-shell'],
    ['bash <(echo cm0gLXJmIH4= | base64 -d)', 'decode-to-shell'],
    ['echo 726d202d7266207e | xxd -r -p | sh', 'decode-to-shell'],
  ];
  it.each(blocked)('blocks %s (%s)', (command, rule) => {
    expect(checkRails(command)?.rule).toBe(rule);
  });

  const allowed = [
    'rm -rf -- build', 'rm -rf ./dist -- tmp', 'x=1; echo $x', 'find . -name "*.tmp" -delete', 'find ~/projects/tmp -delete',
    'find / -name passwd', 'find ~ -name "*.md"', `python3 -c "import shutil; shutil.rmtree('build')"`,
    `node -e "console.log(require('os').homedir())"`, `node -e "require('fs').rmSync('dist', {recursive: true})"`,
    'echo aGk= | base64 -d', 'base64 -d file.b64 > out.bin', 'echo $(echo aGk= | base64 -d)', 'cat x | base64 | sh -c "cat > y"',
    'grep -r "rm -rf" .', 'ls ~',
  ];
  it.each(allowed)('allows %s', (command) => {
    expect(checkRails(command)).toBeNull();
  });
});

describe('rails: length cap', () => {
  it('refuses an over-long command with a clear reason before any pattern runs', () => {
    const hit = checkRails(`echo ${'a'.repeat(MAX_COMMAND_CHARS)}`);
    expect(hit?.rule).toBe('too-long');
    expect(hit?.reason).toMatch(/more than the 16384 the safety checks accept/);
    expect(checkRails(`echo ${'a'.repeat(MAX_COMMAND_CHARS - 10)}`)).toBeNull();
  });

  it('adversarial inputs of the old patterns still get an answer (just under the cap)', () => {
    const n = MAX_COMMAND_CHARS - 100;
    for (const unit of ['a(){ a', 'find / ', 'curl ', 'rm -r ', 'sed -i ', ';/', 'base64 -d ', 'perl -e socket', 'x=rm; ']) {
      const cmd = unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
      expect(() => checkRails(cmd)).not.toThrow();
    }
  });
});
