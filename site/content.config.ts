import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

/** Lessons: one MDX file each in content/, ordered by `order`. */
const lessons = defineCollection({
  loader: glob({ base: './content', pattern: '**/*.mdx' }),
  schema: z.object({
    title: z.string(),
    order: z.number().int().nonnegative(),
    summary: z.string(),
  }),
});

export const collections = { lessons };
