// The typed surface of the alerting tables (issue 11) that lib/data/alerts.ts and lib/data/heartbeat.ts
// use. Both generated clients satisfy it structurally (checked where lib/db.ts assigns them to DbClient).
type Order = 'asc' | 'desc';
type BigRange = { lt?: bigint; lte?: bigint; gt?: bigint; gte?: bigint };
type DateRange = { gte?: Date; lt?: Date; lte?: Date; gt?: Date };

export type ChannelKindRow = 'alertmanager' | 'slack' | 'webhook';

export interface AlertChannelRow {
  id: string;
  name: string;
  kind: ChannelKindRow;
  enabled: boolean;
  settings: string;
  targetDisplay: string;
  secret: Uint8Array<ArrayBuffer>;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
}

export interface AlertSettingsRow {
  id: string;
  settings: string;
  updatedAt: Date;
  updatedBy: string | null;
}

export interface AlertStateRow {
  id: number;
  clusterId: string;
  rule: string;
  component: string;
  status: string;
  severity: string;
  repeats: number;
  pendingSinceMs: bigint | null;
  firingSinceMs: bigint | null;
  notified: boolean;
  silencedBy: string | null;
  summary: string;
  detail: string;
  lastEvalMs: bigint;
  version: number;
}

export interface NotificationRow {
  id: string;
  dedupeKey: string;
  clusterId: string | null;
  clusterName: string;
  rule: string;
  component: string;
  severity: string;
  transition: string;
  startsAtMs: bigint;
  endsAtMs: bigint | null;
  createdAt: Date;
  payload: string;
  silencedBy: string | null;
}

export interface NotificationDeliveryRow {
  id: string;
  notificationId: string;
  channelId: string;
  groupKey: string;
  status: string;
  attempts: number;
  nextAttemptMs: bigint;
  claimedBy: string | null;
  claimedUntilMs: bigint | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

export interface DeliveryAttemptRow {
  id: number;
  at: Date;
  channelId: string;
  channelName: string;
  kind: string;
  target: string;
  httpStatus: number | null;
  outcome: string;
  error: string | null;
  durationMs: number;
  notifications: number;
  summary: string;
}

export interface CollectorHeartbeatRow {
  id: string;
  updatedAt: Date;
  intervalSeconds: number;
  stats: string;
}

type ChannelData = Partial<Pick<AlertChannelRow, 'name' | 'enabled' | 'settings' | 'targetDisplay' | 'secret'>>;

interface AlertChannelDelegate {
  create(args: { data: Omit<AlertChannelRow, 'createdAt' | 'updatedAt'> }): Promise<AlertChannelRow>;
  findMany(args: { orderBy: { name: Order }; where?: { enabled?: boolean } }): Promise<AlertChannelRow[]>;
  findUnique(args: { where: { id: string } | { name: string } }): Promise<AlertChannelRow | null>;
  update(args: { where: { id: string }; data: ChannelData }): Promise<AlertChannelRow>;
  deleteMany(args: { where: { id: string } }): Promise<{ count: number }>;
  count(): Promise<number>;
}

interface AlertSettingsDelegate {
  findUnique(args: { where: { id: string } }): Promise<AlertSettingsRow | null>;
  upsert(args: { where: { id: string }; create: { id: string; settings: string; updatedBy: string | null }; update: { settings: string; updatedBy: string | null } }): Promise<AlertSettingsRow>;
}

type StateData = Omit<AlertStateRow, 'id' | 'clusterId' | 'rule' | 'component'>;

interface AlertStateDelegate {
  findMany(args: { where: { clusterId?: string | { in: string[] }; status?: string | { in: string[] } }; orderBy?: Array<{ clusterId: Order } | { rule: Order } | { component: Order }> }): Promise<AlertStateRow[]>;
  create(args: { data: Omit<AlertStateRow, 'id'> }): Promise<AlertStateRow>;
  updateMany(args: { where: { id: number; version: number }; data: Partial<StateData> }): Promise<{ count: number }>;
}

interface NotificationDelegate {
  create(args: { data: Omit<NotificationRow, 'createdAt'> }): Promise<NotificationRow>;
  findUnique(args: { where: { dedupeKey: string } | { id: string } }): Promise<NotificationRow | null>;
  findMany(args: { where: { id?: { in: string[] }; createdAt?: DateRange; clusterId?: string }; orderBy?: { createdAt: Order }; take?: number }): Promise<NotificationRow[]>;
  deleteMany(args: { where: { createdAt: DateRange } }): Promise<{ count: number }>;
}

interface DeliveryWhere {
  id?: string | { in: string[] };
  status?: string | { in: string[] };
  channelId?: string;
  notificationId?: string | { in: string[] };
  nextAttemptMs?: BigRange;
  claimedBy?: string | null;
  claimedUntilMs?: bigint | null;
  OR?: Array<{ claimedUntilMs: null } | { claimedUntilMs: BigRange }>;
}

type DeliveryData = Partial<Pick<NotificationDeliveryRow, 'status' | 'attempts' | 'nextAttemptMs' | 'claimedBy' | 'claimedUntilMs' | 'lastError' | 'deliveredAt'>>;

interface NotificationDeliveryDelegate {
  create(args: { data: Omit<NotificationDeliveryRow, 'createdAt' | 'deliveredAt' | 'claimedBy' | 'claimedUntilMs' | 'lastError' | 'attempts'> & { lastError?: string | null } }): Promise<NotificationDeliveryRow>;
  findMany(args: { where: DeliveryWhere; orderBy?: Array<{ nextAttemptMs: Order } | { createdAt: Order }>; take?: number }): Promise<NotificationDeliveryRow[]>;
  updateMany(args: { where: DeliveryWhere; data: DeliveryData }): Promise<{ count: number }>;
  count(args: { where: DeliveryWhere }): Promise<number>;
}

interface DeliveryAttemptDelegate {
  create(args: { data: Omit<DeliveryAttemptRow, 'id' | 'at'> & { at?: Date } }): Promise<DeliveryAttemptRow>;
  findMany(args: { where: { channelId?: string; outcome?: string; at?: DateRange }; orderBy: Array<{ at: Order } | { id: Order }>; take?: number; skip?: number }): Promise<DeliveryAttemptRow[]>;
  count(args: { where: { channelId?: string; outcome?: string; at?: DateRange } }): Promise<number>;
  deleteMany(args: { where: { at: DateRange } }): Promise<{ count: number }>;
}

interface CollectorHeartbeatDelegate {
  upsert(args: { where: { id: string }; create: CollectorHeartbeatRow; update: Omit<CollectorHeartbeatRow, 'id'> }): Promise<CollectorHeartbeatRow>;
  findMany(args: { where?: { updatedAt?: DateRange }; orderBy: { id: Order } }): Promise<CollectorHeartbeatRow[]>;
  deleteMany(args: { where: { updatedAt: DateRange } }): Promise<{ count: number }>;
}

/** The alerting tables, as part of DbTx (lib/db.ts). */
export interface AlertDelegates {
  alertChannel: AlertChannelDelegate;
  alertSettings: AlertSettingsDelegate;
  alertState: AlertStateDelegate;
  notification: NotificationDelegate;
  notificationDelivery: NotificationDeliveryDelegate;
  deliveryAttempt: DeliveryAttemptDelegate;
  collectorHeartbeat: CollectorHeartbeatDelegate;
}
