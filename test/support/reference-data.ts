import { ReferenceService } from '../../src/reference/reference.service';
import type { TestApp } from './test-app';

/**
 * Records, as an administrator would, that a body adopts the given kinds of document (a new version
 * of its reference record from now). The baseline confirms only that the Council of Heads of State
 * adopts the Regulation; no found source says who adopts the model Memorandum, so tests that adopt
 * one record it first, as the refusal tells a legal officer to.
 */
export async function recordBodyAdopts(t: TestApp, body: string, adopts: string[]): Promise<void> {
  const reference = t.app.get(ReferenceService);
  const current = await reference.find('body', body, t.clock.now());
  if (!current) throw new Error(`no body ${body} in the reference data`);
  await reference.recordChange(
    'body',
    body,
    { ...current.data, adopts },
    { by: 'admin-test', note: `Test data: the ${body} adopts ${adopts.join(', ')}`, validFrom: t.clock.now() },
  );
}
