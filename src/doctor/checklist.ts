/** One line of `markread doctor`: what was checked, whether it passed, what was seen, and the fix if it failed. */
export interface DoctorItem {
  name: string;
  /** The IM app checked, when markread serves several (TIM_APPS). */
  app?: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export function checklistText(items: DoctorItem[]): string {
  const lines = items.flatMap((i) => [
    `${i.ok ? '✓' : '✗'} ${i.name}: ${i.detail}`,
    ...(i.ok || !i.fix ? [] : [`    fix: ${i.fix}`]),
  ]);
  const failed = items.filter((i) => !i.ok).length;
  lines.push(failed === 0 ? 'All checks passed.' : `${failed} of ${items.length} checks failed.`);
  return `${lines.join('\n')}\n`;
}
