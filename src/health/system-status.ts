import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** CPU busy share between two `os.cpus()` samples, as psutil's `cpu_percent(interval)` measures it. */
function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

const CPU_SAMPLE_MS = 250;

export async function cpuPercent(sampleMs = CPU_SAMPLE_MS): Promise<number> {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, sampleMs));
  const b = cpuTimes();
  const total = b.total - a.total;
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, (1 - (b.idle - a.idle) / total) * 100));
}

export interface SystemSnapshot {
  hostname: string;
  platform: string;
  cpuPercent: number;
  cores: number;
  load: number[];
  ram: { used: number; total: number; percent: number };
  disk: { path: string; used: number; total: number; percent: number } | null;
  battery: { percent: number; status: string } | null;
  uptimeSeconds: number;
}

/** Disk usage of the filesystem holding `dir`; `percent` as `df` and psutil compute it. */
export function diskUsage(dir: string): SystemSnapshot['disk'] {
  try {
    const s = fs.statfsSync(dir);
    const total = s.blocks * s.bsize;
    const used = (s.blocks - s.bfree) * s.bsize;
    const avail = s.bavail * s.bsize;
    const percent = used + avail > 0 ? (used / (used + avail)) * 100 : 0;
    return { path: dir, used, total, percent };
  } catch {
    return null;
  }
}

/** Linux exposes batteries under /sys; elsewhere (or on a desktop without one) there is none. */
export function battery(root = '/sys/class/power_supply'): SystemSnapshot['battery'] {
  let names: string[];
  try {
    names = fs.readdirSync(root).filter((n) => n.startsWith('BAT'));
  } catch {
    return null;
  }
  for (const name of names) {
    try {
      const percent = Number(fs.readFileSync(path.join(root, name, 'capacity'), 'utf8').trim());
      if (!Number.isFinite(percent)) continue;
      let status = '';
      try {
        status = fs.readFileSync(path.join(root, name, 'status'), 'utf8').trim();
      } catch { /* status is optional */ }
      return { percent, status };
    } catch { /* next battery */ }
  }
  return null;
}

export async function systemSnapshot(dataDir: string): Promise<SystemSnapshot> {
  const total = os.totalmem();
  const free = os.freemem();
  return {
    hostname: os.hostname(),
    platform: `${os.type()} ${os.release()} (${os.arch()})`,
    cpuPercent: await cpuPercent(),
    cores: os.cpus().length,
    load: os.loadavg(),
    ram: { used: total - free, total, percent: total > 0 ? ((total - free) / total) * 100 : 0 },
    disk: diskUsage(dataDir),
    battery: battery(),
    uptimeSeconds: os.uptime(),
  };
}

function gb(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d ? `${d}d ${h}h ${m}m` : h ? `${h}h ${m}m` : `${m}m`;
}

/** The dashboard's status card (spec §4.3 `tool` `status`): the 🧠 / 💾 / 💿 [/ 🔋] lines. */
export function formatStatus(s: SystemSnapshot): string {
  const lines = [
    `🖥️ System Status — ${s.hostname}`,
    `🧠 CPU: ${s.cpuPercent.toFixed(1)}% (${s.cores} cores, load ${s.load.map((l) => l.toFixed(2)).join(' ')})`,
    `💾 RAM: ${gb(s.ram.used)} / ${gb(s.ram.total)} (${s.ram.percent.toFixed(1)}%)`,
  ];
  if (s.disk) lines.push(`💿 Disk: ${gb(s.disk.used)} / ${gb(s.disk.total)} (${s.disk.percent.toFixed(1)}%)`);
  if (s.battery) lines.push(`🔋 Battery: ${s.battery.percent}%${s.battery.status ? ` (${s.battery.status.toLowerCase()})` : ''}`);
  lines.push(`⏱️ Uptime: ${duration(s.uptimeSeconds)}`, `💻 ${s.platform}`);
  return lines.join('\n');
}
