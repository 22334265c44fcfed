/**
 * Firewalls: the tenant's rule sets, an editor of a firewall's inbound and outbound rules, and
 * where it applies (servers or a label selector), with a preview of what a change would open
 * and close on each NIC before it is saved or applied.
 */
import type { Firewall, FirewallPreview, FirewallRule, FirewallTarget } from '@kumulus/api/firewall';
import type { Page } from '@kumulus/api/schemas';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { Labels } from '../../components/labels.tsx';
import { ListBody } from '../../components/list-body.tsx';
import { Pager, SelectorBox, usePagedList } from '../../components/paged-list.tsx';
import { SortHeader } from '../../components/resource-list.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { PreviewResult } from './preview.tsx';
import { parsePeer, ruleText } from './rule-text.ts';

const ACTIONS = ['accept', 'drop', 'reject'] as const;
const PROTOCOLS = ['tcp', 'udp', 'icmp', 'icmpv6', 'esp', 'gre', 'any'] as const;

function RuleForm({ onAdd }: { onAdd: (rule: FirewallRule) => void }) {
  const { t } = useI18n();
  const [action, setAction] = useState<FirewallRule['action']>('accept');
  const [protocol, setProtocol] = useState<FirewallRule['protocol']>('tcp');
  const [ports, setPorts] = useState('');
  const [peers, setPeers] = useState('');
  const [log, setLog] = useState(false);
  const add = (e: FormEvent) => {
    e.preventDefault();
    const portList = ports.split(',').map((p) => p.trim()).filter(Boolean);
    const peerList = peers.split(/\s+/).filter(Boolean).map(parsePeer);
    onAdd({ action, protocol, ...(portList.length ? { ports: portList } : {}), ...(peerList.length ? { peers: peerList } : {}), ...(log ? { log: true } : {}) });
    setPorts('');
    setPeers('');
    setLog(false);
  };
  return (
    <form className="row" onSubmit={add}>
      <label>
        {t('firewall.action')}
        <select value={action} onChange={(e) => setAction(e.target.value as FirewallRule['action'])}>
          {ACTIONS.map((a) => <option key={a}>{a}</option>)}
        </select>
      </label>
      <label>
        {t('firewall.protocol')}
        <select value={protocol} onChange={(e) => setProtocol(e.target.value as FirewallRule['protocol'])}>
          {PROTOCOLS.map((p) => <option key={p}>{p}</option>)}
        </select>
      </label>
      <Field label={t('firewall.ports')} name="ports" hint="22, 8000-8100" value={ports} onChange={(e) => setPorts(e.target.value)} />
      <Field label={t('firewall.peers')} name="peers" hint={t('firewall.peersHint')} value={peers} onChange={(e) => setPeers(e.target.value)} />
      <label title={t('firewall.logHint')}>
        <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> {t('firewall.log')}
      </label>
      <button type="submit" className="small">{t('firewall.addRule')}</button>
    </form>
  );
}

/** Rules with a stable key each: their text, and which repetition of that text they are. */
function keyed(rules: FirewallRule[]) {
  const seen = new Map<string, number>();
  return rules.map((rule, i) => {
    const text = ruleText(rule);
    const n = seen.get(text) ?? 0;
    seen.set(text, n + 1);
    return { rule, i, key: `${text}#${n}` };
  });
}

function RuleList({ title, rules, onChange }: { title: string; rules: FirewallRule[]; onChange: (rules: FirewallRule[]) => void }) {
  const { t } = useI18n();
  return (
    <div className="stack">
      <h3>{title}</h3>
      {rules.length === 0 ? <p className="muted">{t('firewall.noRules')}</p> : (
        <ol>
          {keyed(rules).map(({ rule: r, key, i }) => (
            <li key={key} className="row">
              <code>{ruleText(r)}</code>
              <button type="button" className="small danger" onClick={() => onChange(rules.filter((_, j) => j !== i))} aria-label={`${t('firewall.removeRule')}: ${ruleText(r)}`}>
                {t('firewall.removeRule')}
              </button>
            </li>
          ))}
        </ol>
      )}
      <RuleForm onAdd={(r) => onChange([...rules, r])} />
    </div>
  );
}

function Editor({ firewall, onSaved }: { firewall: Firewall; onSaved: () => void }) {
  const { t } = useI18n();
  const [inbound, setInbound] = useState(firewall.inbound);
  const [outbound, setOutbound] = useState(firewall.outbound);
  const [targetKind, setTargetKind] = useState<'server' | 'label_selector'>('server');
  const [targetValue, setTargetValue] = useState('');
  const [error, setError] = useState<unknown>();
  const [preview, setPreview] = useState<FirewallPreview | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      setPreview(null);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  const target = (): FirewallTarget => (targetKind === 'server' ? { type: 'server', server: targetValue.trim() } : { type: 'label_selector', selector: targetValue.trim() });
  // The preview takes the rules as edited and, when a target is typed in, the targets with it.
  const showPreview = async () => {
    setError(undefined);
    try {
      setPreview(await api.previewFirewall({ firewall: firewall.id, inbound, outbound, ...(targetValue.trim() ? { applyTo: [...firewall.appliedTo, target()] } : {}) }));
    } catch (err) {
      setError(err);
    }
  };
  const targetText = (x: FirewallTarget) => (x.type === 'label_selector' ? `${t('firewall.bySelector')} ${x.selector}` : `${t('firewall.byServer')} ${x.server}`);
  return (
    <section className="card stack" aria-labelledby="fw-editor-title">
      <h2 id="fw-editor-title">{firewall.name}</h2>
      <p className="muted">{t('firewall.semantics')}</p>
      <RuleList title={t('firewall.inbound')} rules={inbound} onChange={setInbound} />
      <RuleList title={t('firewall.outbound')} rules={outbound} onChange={setOutbound} />
      <div>
        <button type="button" className="primary" onClick={() => void act(() => api.updateFirewall(firewall.id, { inbound, outbound }))}>{t('app.save')}</button>{' '}
        <button type="button" onClick={() => void showPreview()}>{t('preview.button')}</button>
      </div>
      {preview && <PreviewResult preview={preview} />}
      <h3>{t('firewall.appliedTo')}</h3>
      <ul>
        {firewall.appliedTo.map((x) => (
          <li key={JSON.stringify(x)} className="row">
            {targetText(x)}
            <button type="button" className="small" onClick={() => void act(() => api.removeFirewall(firewall.id, [x]))}>{t('firewall.removeFrom')}</button>
          </li>
        ))}
      </ul>
      <form className="row" onSubmit={(e) => { e.preventDefault(); void act(() => api.applyFirewall(firewall.id, [target()])); setTargetValue(''); }}>
        <label>
          {t('firewall.applyBy')}
          <select value={targetKind} onChange={(e) => setTargetKind(e.target.value as 'server' | 'label_selector')}>
            <option value="server">{t('firewall.byServer')}</option>
            <option value="label_selector">{t('firewall.bySelector')}</option>
          </select>
        </label>
        <Field label={targetKind === 'server' ? t('firewall.serverName') : t('firewall.selector')} name="target" value={targetValue} onChange={(e) => setTargetValue(e.target.value)} />
        <button type="submit" className="small">{t('firewall.apply')}</button>
      </form>
      <ErrorNotice error={error} />
      <div>
        <button type="button" className="danger" onClick={() => void act(() => api.deleteFirewall(firewall.id))}>{t('firewall.delete')}</button>
      </div>
    </section>
  );
}

/** The firewalls page. */
export function FirewallsPage() {
  const { t } = useI18n();
  const list = usePagedList(['firewalls'], (q, signal) => api.request<Page<Firewall>>('GET', '/firewalls', undefined, q, { signal }), { intervalMs: 0, initialSort: { key: 'name', dir: 'asc' }, labels: true });
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const fw = await api.createFirewall({ name: name.trim() });
      setName('');
      setSelected(fw.id);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const current = list.data?.find((f) => f.id === selected);
  return (
    <section aria-labelledby="firewalls-title" className="stack">
      <h1 id="firewalls-title">{t('firewall.title')}</h1>
      <form className="row card" onSubmit={create}>
        <Field label={t('firewall.name')} name="name" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="primary">{t('firewall.create')}</button>
      </form>
      <ErrorNotice error={error ?? list.error} />
      <div className="toolbar wrap">
        <SelectorBox paging={list.paging} />
      </div>
      <ListBody items={list.data} loading={list.loading} empty={t('firewall.empty')}>
        {(items) => (
          <table className="list cards-on-phone" aria-label={t('firewall.title')}>
            <thead>
              <tr>
                <SortHeader label={t('firewall.name')} column="name" sort={list.paging.sort} onSort={list.paging.setSort} />
                <th scope="col">{t('firewall.inbound')}</th>
                <th scope="col">{t('firewall.outbound')}</th>
                <th scope="col">{t('firewall.appliedTo')}</th>
                <th scope="col">{t('list.labels')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((f) => (
                <tr key={f.id} aria-selected={f.id === selected}>
                  <th scope="row" data-label={t('firewall.name')}>
                    <button type="button" className="link" onClick={() => setSelected(f.id)}>{f.name}</button>
                  </th>
                  <td data-label={t('firewall.inbound')}>{f.inbound.length}</td>
                  <td data-label={t('firewall.outbound')}>{f.outbound.length}</td>
                  <td data-label={t('firewall.appliedTo')}>{f.appliedTo.length}</td>
                  <td data-label={t('list.labels')}>
                    <Labels labels={f.labels} name={f.name} save={async (labels) => { await api.updateFirewall(f.id, { labels }); list.reload(); }} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListBody>
      <Pager paging={list.paging} />
      {current && <Editor key={`${current.id}-${current.generation}`} firewall={current} onSaved={() => { list.reload(); if (!list.data?.some((f) => f.id === current.id)) setSelected(null); }} />}
    </section>
  );
}
