export function actionNodeMajor(repo: string): number;
export function actionNode(repo: string): string;
