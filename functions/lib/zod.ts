/**
 * zod, the tree-shakable build ("zod/mini": ~20 KB in a bundle instead of ~450 KB, measured), with English
 * messages for the checks that carry none of ours. Every schema of the project imports `z` from here.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';

z.config(en());

export { z };
