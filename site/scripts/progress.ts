import { PROGRESS_KEY, markVisited, parseVisited } from '../../lib/viz/progress.ts';

/** Reads the stored progress; storage may be unavailable (private mode, disabled), which is fine. */
function readStored(): string | null {
  try {
    return localStorage.getItem(PROGRESS_KEY);
  } catch {
    return null;
  }
}

/** Records the lesson on this page (`<article data-lesson-id>`) as visited. */
export function recordVisit(root: ParentNode = document): void {
  const article = root.querySelector<HTMLElement>('[data-lesson-id]');
  const id = article?.dataset.lessonId;
  if (!id) return;
  try {
    localStorage.setItem(PROGRESS_KEY, markVisited(readStored(), id));
  } catch {
    /* storage unavailable: progress simply isn't kept */
  }
}

/** Marks every `[data-progress-id]` element whose lesson was visited, and fills `[data-progress-count]`. */
export function showProgress(root: ParentNode = document): void {
  const visited = parseVisited(readStored());
  const items = root.querySelectorAll<HTMLElement>('[data-progress-id]');
  let done = 0;
  for (const item of items) {
    const seen = visited.has(item.dataset.progressId ?? '');
    item.dataset.visited = String(seen);
    if (seen) done++;
  }
  for (const counter of root.querySelectorAll<HTMLElement>('[data-progress-count]')) {
    counter.textContent = `${done} of ${items.length} lessons visited`;
  }
}
