// `node --import <this file> …`: records every npm package the process resolves through the
// ESM loader, one name a line, in the file named by FOOTPRINT_RECORD (test/footprint/).
import { register } from 'node:module';

register('./record-packages-hooks.mjs', import.meta.url, { data: { file: process.env.FOOTPRINT_RECORD } });
