#!/usr/bin/env node
// Reads a job or an array of jobs as JSON on stdin; see README.md in this folder.
import {main} from './lib/cli.mjs';
import {signJwt} from './lib/jwt.mjs';

await main(signJwt);
