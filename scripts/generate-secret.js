#!/usr/bin/env node
'use strict';
// Plain JavaScript so it runs before (or without) a build, e.g. on an operator's laptop.
// 32 random bytes: the full strength of the AES-256 and HMAC keys derived from it; base64url
// (43 characters) survives .env files, YAML and shell quoting unescaped.
const { randomBytes } = require('node:crypto');

process.stdout.write(`${randomBytes(32).toString('base64url')}\n`);
