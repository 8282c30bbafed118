#!/usr/bin/env node
// Runs the TypeScript sources directly: no build step, so `npm start` always runs what is checked out.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
