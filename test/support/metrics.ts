import request from 'supertest';

/** A one-label counter as the service's `/metrics` shows it, by label value; values never counted are absent. */
export async function counterValues(url: string, metric: string): Promise<Record<string, number>> {
  const text = (await request(url).get('/metrics').expect(200)).text;
  const values: Record<string, number> = {};
  for (const [, label, count] of text.matchAll(new RegExp(`^${metric}\\{\\w+="([^"]*)"\\} (\\d+)$`, 'gm'))) {
    values[label] = Number(count);
  }
  return values;
}

/** What each label value of a counter gained between two readings, those that gained nothing left out. */
export function counterGains(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([label, count]): [string, number] => [label, count - (before[label] ?? 0)])
      .filter(([, gain]) => gain !== 0),
  );
}
