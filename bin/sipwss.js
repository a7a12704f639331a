#!/usr/bin/env node
// The installed `sipwss` command: the compiled CLI (npm run build; npm ci runs it through prepare).
import '../dist/cli.js';
