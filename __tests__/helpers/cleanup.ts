/**
 * After each test file: its runner dirs go (a cross build's target/ and tool cache are hundreds
 * of MB; left behind, repeated runs filled the disk). RPI_KEEP_TEST_DIRS=1 keeps them to look at.
 */
import { afterAll } from '@jest/globals';
import { removeRunnerDirs } from './run-action.js';

afterAll(() => removeRunnerDirs());
