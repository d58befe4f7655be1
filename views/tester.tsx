// The packet tester: describe one packet, run it through a policy's compiled script, see the verdict and rule.
import { Layout, type Chrome } from './layout.js';
import { hooks } from '../server/policy/schema.js';

export interface TesterForm {
  policy: string;
  hook: string;
  proto: string;
  src: string;
  dst: string;
  srcPort: string;
  dstPort: string;
  iif: string;
  oif: string;
  mark: string;
  app: string;
  name: string;
}

export interface TesterResult {
  verdict: string;
  rule: string;
  errors: number;
  error?: string;
  /** The packet as JSON, as the API and policy tests take it. */
  packet: string;
}

export const emptyTester = (policy = ''): TesterForm => ({
  policy,
  hook: '',
  proto: 'tcp',
  src: '192.168.1.10',
  dst: '203.0.113.5',
  srcPort: '40000',
  dstPort: '443',
  iif: '',
  oif: '',
  mark: '',
  app: 'tls',
  name: '',
});

function Row(props: { id: string; label: string; children?: unknown; error?: string }) {
  return (
    <div class={`cbi-value${props.error ? ' has-error' : ''}`}>
      <label class="cbi-value-title" for={props.id}>
        {props.label}
      </label>
      <div class="cbi-value-field">
        {props.children}
        {props.error ? <div class="diag error">{props.error}</div> : null}
      </div>
    </div>
  );
}

export function TesterResultView({ result, error }: { result?: TesterResult; error?: string }) {
  return (
    <div id="tester-result" aria-live="polite">
      {error ? (
        <div class="alert-message error" role="alert">
          {error}
        </div>
      ) : null}
      {result ? (
        <div class={`alert-message ${result.error ? 'warning' : result.verdict === 'drop' ? 'error' : 'success'}`} role="status">
          <h4>
            Verdict: <span class={`verdict-${result.verdict}`} id="verdict">{result.verdict.toUpperCase()}</span>
          </h4>
          <div>
            Decided by: <code id="verdict-rule">{result.rule}</code>
            {result.errors ? ` · ${result.errors} hook error(s)` : ''}
          </div>
          {result.error ? <div>Hook error: {result.error}</div> : null}
          <details class="more">
            <summary>Packet as JSON</summary>
            <pre class="diff">{result.packet}</pre>
          </details>
        </div>
      ) : null}
    </div>
  );
}

export function TesterPage(props: { form: TesterForm; policies: string[]; errors: Record<string, string>; result?: TesterResult; error?: string; chrome: Chrome }) {
  const f = props.form;
  const e = props.errors;
  return (
    <Layout title="Packet tester" page="tester" chrome={props.chrome}>
      <h2>Firewall - Packet tester</h2>
      <p class="cbi-map-descr">Builds the packet on the wire, runs it through the policy's generated Lua in the Lunatik emulator, and shows what the kernel would do.</p>
      <form method="post" action="/tester" class="cbi-section" hx-post="/tester" hx-target="#tester-result" hx-swap="outerHTML">
        <input type="hidden" name="_csrf" value={props.chrome.csrf} />
        <Row id="t-policy" label="Policy" error={e.policy}>
          <select id="t-policy" name="policy">
            {props.policies.map((p) => (
              <option value={p} selected={p === f.policy}>
                {p}
              </option>
            ))}
          </select>
        </Row>
        <Row id="t-hook" label="Hook" error={e.hook}>
          <select id="t-hook" name="hook">
            <option value="">(the policy's)</option>
            {hooks.map((h) => (
              <option value={h} selected={h === f.hook}>
                {h}
              </option>
            ))}
          </select>
        </Row>
        <Row id="t-proto" label="Protocol" error={e.proto}>
          <select id="t-proto" name="proto">
            {['tcp', 'udp', 'icmp', 'icmpv6'].map((p) => (
              <option value={p} selected={p === f.proto}>
                {p}
              </option>
            ))}
          </select>
        </Row>
        <Row id="t-src" label="Source address" error={e.src}>
          <input type="text" id="t-src" name="src" value={f.src} class="mono" />
        </Row>
        <Row id="t-dst" label="Destination address" error={e.dst}>
          <input type="text" id="t-dst" name="dst" value={f.dst} class="mono" />
        </Row>
        <Row id="t-srcPort" label="Source port" error={e.srcPort}>
          <input type="text" inputmode="numeric" id="t-srcPort" name="srcPort" value={f.srcPort} class="w-small mono" />
        </Row>
        <Row id="t-dstPort" label="Destination port" error={e.dstPort}>
          <input type="text" inputmode="numeric" id="t-dstPort" name="dstPort" value={f.dstPort} class="w-small mono" />
        </Row>
        <Row id="t-iif" label="Input interface" error={e.iif}>
          <input type="text" id="t-iif" name="iif" value={f.iif} class="mono" placeholder="br-lan" />
        </Row>
        <Row id="t-oif" label="Output interface" error={e.oif}>
          <input type="text" id="t-oif" name="oif" value={f.oif} class="mono" placeholder="wan" />
        </Row>
        <Row id="t-mark" label="Packet mark" error={e.mark}>
          <input type="text" id="t-mark" name="mark" value={f.mark} class="w-small mono" placeholder="0x0" />
        </Row>
        <Row id="t-app" label="Payload" error={e.app}>
          <select id="t-app" name="app">
            {[
              ['none', 'none'],
              ['tls', 'TLS ClientHello (SNI)'],
              ['dns', 'DNS query'],
              ['http', 'HTTP request (Host)'],
            ].map(([v, t]) => (
              <option value={v} selected={v === f.app}>
                {t}
              </option>
            ))}
          </select>
        </Row>
        <Row id="t-name" label="SNI / DNS name / HTTP Host" error={e.name}>
          <input type="text" id="t-name" name="name" value={f.name} class="mono w-wide" placeholder="ads.example.com" />
        </Row>
        <div class="cbi-page-actions">
          <button type="submit" class="cbi-button cbi-button-action">
            Test packet
          </button>
        </div>
      </form>
      <TesterResultView result={props.result} error={props.error} />
    </Layout>
  );
}
