export function staleDependencies(repo: string): string[];
export function ensureDevEnv(repo: string): void;
