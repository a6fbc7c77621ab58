// A local Neuronpedia API on its own 127.0.0.1 port, in the public API's shape:
// GET /api/feature/{modelId}/{layer}/{index} -> the feature with `explanations` best first
// ({id, description, explanationModelName, typeName, scores}); 404 {error} for an unknown
// feature; Access-Control-Allow-Origin: * like neuronpedia.org. Rules pick per-feature
// behaviour: rule({model, layer, index}) -> { status, delayMs, description, none }.
import http from 'node:http';

export const EXPLAINER = 'gpt-4o-mini';
export const describe = (layer, index) => `explained: feature ${index} of ${layer}`;

export function startMockNeuronpedia(rule = () => ({})) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const headers = { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' };
    const m = /^\/api\/feature\/([^/]+)\/([^/]+)\/(\d+)$/.exec(new URL(req.url, 'http://x').pathname);
    if (!m) { res.writeHead(404, headers); res.end(JSON.stringify({ error: 'not found' })); return; }
    const f = { model: decodeURIComponent(m[1]), layer: decodeURIComponent(m[2]), index: Number(m[3]) };
    requests.push(f);
    const r = rule(f) || {};
    if (r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
    if (r.status && r.status !== 200) {
      res.writeHead(r.status, headers);
      res.end(JSON.stringify({ error: 'The model, source, or feature you specified is not available.' }));
      return;
    }
    res.writeHead(200, headers);
    res.end(JSON.stringify({
      modelId: f.model, layer: f.layer, index: String(f.index), maxActApprox: 3.2, hasVector: false,
      activations: [],
      explanations: r.none ? [] : [
        { id: `e${f.index}`, description: r.description ?? describe(f.layer, f.index), explanationModelName: EXPLAINER, typeName: 'oai_token-act-pair', scores: [] },
        { id: `w${f.index}`, description: 'a worse explanation', explanationModelName: 'gpt-3.5-turbo', typeName: 'oai_token-act-pair', scores: [] },
      ],
    }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ url: `http://127.0.0.1:${server.address().port}`, requests, stop: () => new Promise((r) => server.close(r)) });
  }));
}
