// "Send test": a test notification sent at once from the web app (not through the outbox), through
// the same message builder, outbound policy and delivery log as real notifications.
import { randomUUID } from 'node:crypto';
import { loadOpenChannels } from '../data/channels';
import { QuorumError } from '../errors';
import { outboundPolicy } from '../net/outbound';
import type { OutgoingNotification } from './channels';
import { sendMessage, type MessageResult } from './dispatch';

export function testNotification(by: string, nowMs: number): OutgoingNotification {
  const summary = `Test notification from Quorum, sent by ${by}`;
  return {
    id: `test-${randomUUID()}`,
    dedupeKey: `test|${nowMs}`,
    clusterId: null,
    clusterName: 'quorum-test',
    rule: 'test',
    alertname: 'QuorumTestNotification',
    component: 'test',
    severity: 'info',
    transition: 'test',
    startsAtMs: nowMs,
    endsAtMs: null,
    summary,
    labels: { alertname: 'QuorumTestNotification', cluster: 'quorum-test', component: 'test', severity: 'info', slo: 'none', rule: 'test' },
    annotations: { summary, description: 'Sent with the "Send test" button (or POST /api/channels/{id}/test). Nothing is wrong.' },
  };
}

/** Sends a test to one channel (enabled or not). Null when there is no such channel. */
export async function sendTest(channelId: string, by: string, o: { publicUrl: string | null; now?: () => number; log?: (l: Record<string, unknown>) => void }): Promise<MessageResult | null> {
  const [channel] = await loadOpenChannels({ includeDisabled: true, id: channelId });
  if (!channel) return null;
  if (!channel.secret) throw new QuorumError('credentials-undecryptable', channel.secretError ?? 'the channel secrets cannot be decrypted');
  const now = o.now ?? Date.now;
  return sendMessage({ ...channel, secret: channel.secret }, [testNotification(by, now())], 'test', { now, policy: outboundPolicy, publicUrl: o.publicUrl, log: o.log ?? (() => undefined) });
}
