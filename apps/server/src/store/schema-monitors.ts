/** Table types of uptime monitors (migration 018), kept apart from schema.ts so that file stays small. */

/** A monitor: its settings (JSON of the API's settings) and the state its checks left. */
export interface MonitorsTable {
  id: string;
  tenant_id: string;
  name: string;
  type: 'http' | 'tcp' | 'ping' | 'tls';
  settings: string;
  /** The server it points at, when it does: the address is looked up at each check. */
  server_id: string | null;
  state: 'pending' | 'up' | 'down' | 'paused';
  state_since: number | null;
  /** Failed checks in a row. */
  failures: number;
  last_checked_at: number | null;
  last_message: string | null;
  last_response_ms: number | null;
  last_target: string | null;
  cert_expires_at: number | null;
  /** The smallest warning threshold (21/14/7 days) already sent for the current certificate. */
  cert_warned_days: number | null;
  created_at: number;
}

/** One check's result. */
export interface MonitorResultsTable {
  id: string;
  monitor_id: string;
  at: number;
  ok: number;
  response_ms: number | null;
  message: string;
}

/** The monitoring tables. */
export interface MonitoringTables {
  monitors: MonitorsTable;
  monitor_results: MonitorResultsTable;
}
