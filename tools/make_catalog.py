#!/usr/bin/env python3
"""Writes web/catalog.json, the app's list of real SAE releases, from SAELens' registry.

    /usr/bin/python3 tools/make_catalog.py path/to/sae_lens/pretrained_saes.yaml \
        [--out web/catalog.json] [--source "decoderesearch/SAELens@<commit> (v6.18.0)"]

The registry (`sae_lens/pretrained_saes.yaml` in the public SAELens repository) names, per
release, the Hugging Face repo and, per SAE, its folder (Gemma Scope's folder holds each
layer's own `average_l0_N`), its Neuronpedia id and, for some releases, its L0. Only facts
the registry does not hold are written here: the hook each Gemma Scope repo reads (fixed by
SAELens' gemma_2 conversion) and each model's width (its published config), which the page
uses for the download estimate. The yaml itself is never committed, only this output.
"""
import argparse
import json
import re
import sys

import yaml

# Gemma Scope canonical releases: one catalog entry per width that covers every layer.
GEMMA_SCOPE = {
    # release: (short name, title, hook template)
    'gemma-scope-2b-pt-res-canonical': ('gemma-scope-2b-res', 'Gemma Scope 2B · residual stream', 'blocks.{L}.hook_resid_post'),
    'gemma-scope-2b-pt-mlp-canonical': ('gemma-scope-2b-mlp', 'Gemma Scope 2B · MLP output', 'blocks.{L}.hook_mlp_out'),
    'gemma-scope-2b-pt-att-canonical': ('gemma-scope-2b-att', 'Gemma Scope 2B · attention output (z)', 'blocks.{L}.attn.hook_z'),
    'gemma-scope-9b-pt-res-canonical': ('gemma-scope-9b-res', 'Gemma Scope 9B · residual stream', 'blocks.{L}.hook_resid_post'),
}
# SAELens-format releases (a folder per layer with cfg.json + sae_weights.safetensors).
SAELENS = {
    'gpt2-small-res-jb': ('gpt2-small-res-jb', 'GPT-2 small · residual stream (Bloom, 24576 features)'),
}
# Input width of each SAE family (model configs: Gemma 2 2B d_model 2304, 8 heads x 256 for
# attention z; Gemma 2 9B d_model 3584; GPT-2 small 768). Used only to estimate download size.
D_MODEL = {
    'gemma-scope-2b-res': 2304, 'gemma-scope-2b-mlp': 2304, 'gemma-scope-2b-att': 2048,
    'gemma-scope-9b-res': 3584, 'gpt2-small-res-jb': 768,
}
WIDTHS = {'16k': 16384, '32k': 32768, '65k': 65536, '131k': 131072, '262k': 262144, '524k': 524288, '1m': 1048576}
GPT2_RES_JB_F = 24576  # jbloom's GPT-2 small residual SAEs (d_sae in their cfg.json)

GEMMA_SCOPE_2_NOTE = (
    'Gemma Scope 2 (Gemma 3) residual SAEs are not listed: their folders hold config.json and a '
    'params.safetensors whose tensors are named w_enc/w_dec/b_enc/b_dec/threshold, while the loaders '
    'read Gemma Scope params.npz and SAELens cfg.json + safetensors with W_enc/W_dec/b_enc/b_dec. '
    'Build a pack with `saematch pack` once the core accepts those names.'
)


def fail(msg):
    sys.stderr.write(f'make_catalog: {msg}\n')
    sys.exit(1)


def split_neuronpedia(np_id, layer):
    """'gemma-2-2b/3-gemmascope-res-16k' -> ('gemma-2-2b', 'gemmascope-res-16k'), checked against the layer."""
    if not np_id:
        return None, None
    model, _, sae = np_id.partition('/')
    m = re.fullmatch(r'(\d+)-(.+)', sae)
    if not model or not m or int(m.group(1)) != layer:
        fail(f'Neuronpedia id {np_id!r} does not name layer {layer}')
    return model, m.group(2)


def entry_neuronpedia(layers, np_ids):
    """One {model, source} for the entry, since the app builds '{layer}-{source}' itself."""
    pairs = {split_neuronpedia(n, l['layer']) for l, n in zip(layers, np_ids)}
    if pairs == {(None, None)}:
        return None
    if len(pairs) != 1 or (None, None) in pairs:
        fail(f'layers disagree on their Neuronpedia source: {sorted(map(str, pairs))}')
    model, source = pairs.pop()
    return {'model': model, 'source': source}


def gemma_scope_entries(reg):
    out = []
    for release, (short, title, hook) in GEMMA_SCOPE.items():
        rel = reg.get(release) or fail(f'release {release} is not in the registry')
        by_width = {}
        for sae in rel['saes']:
            m = re.fullmatch(r'layer_(\d+)/width_(\w+)/canonical', sae['id'])
            if not m:
                continue
            l0 = re.search(r'average_l0_(\d+)$', sae['path'])
            if not l0:
                fail(f'{release} {sae["id"]}: path {sae["path"]!r} has no average_l0_N folder')
            layer = int(m.group(1))
            by_width.setdefault(m.group(2), []).append(({
                'layer': layer,
                'path': f'{sae["path"]}/params.npz',
                'hook': hook.format(L=layer),
                'l0': int(l0.group(1)),
            }, sae.get('neuronpedia')))
        full = max(len(v) for v in by_width.values())
        for width, rows in sorted(by_width.items(), key=lambda kv: WIDTHS.get(kv[0], 0)):
            if len(rows) < full:  # widths trained on a few layers only cannot form a chain
                continue
            rows.sort(key=lambda r: r[0]['layer'])
            layers = [r[0] for r in rows]
            out.append({
                'id': f'{short}-{width}', 'group': short, 'title': title, 'width': width,
                'release': release, 'model': rel['model'], 'repo': rel['repo_id'], 'revision': 'main',
                'format': 'gemma-scope-npz', 'activation': 'jumprelu',
                'F': WIDTHS[width], 'd_model': D_MODEL[short],
                'neuronpedia': entry_neuronpedia(layers, [r[1] for r in rows]),
                'layers': layers,
            })
    return out


def saelens_entries(reg):
    out = []
    for release, (short, title) in SAELENS.items():
        rel = reg.get(release) or fail(f'release {release} is not in the registry')
        rows = []
        for sae in rel['saes']:
            np_id = sae.get('neuronpedia')
            # Neuronpedia numbers these SAEs 0..12 (12 = the final blocks.11.hook_resid_post).
            m = re.search(r'/(\d+)-', np_id or '') or re.search(r'blocks\.(\d+)\.', sae['id'])
            layer = int(m.group(1))
            rows.append(({
                'layer': layer,
                'path': f'{sae["path"]}/sae_weights.safetensors',
                'hook': sae['id'],
                'l0': sae.get('l0'),
            }, np_id))
        rows.sort(key=lambda r: r[0]['layer'])
        layers = [r[0] for r in rows]
        if len({l['layer'] for l in layers}) != len(layers):
            fail(f'{release}: two SAEs claim the same layer')
        out.append({
            'id': short, 'group': short, 'title': title, 'width': '24k',
            'release': release, 'model': rel['model'], 'repo': rel['repo_id'], 'revision': 'main',
            'format': 'saelens', 'activation': 'relu',
            'F': GPT2_RES_JB_F, 'd_model': D_MODEL[short],
            'neuronpedia': entry_neuronpedia(layers, [r[1] for r in rows]),
            'layers': layers,
        })
    return out


def gemma_scope_2_releases(reg):
    """Gemma 3 residual releases in the registry (named in the catalog as not loadable)."""
    return sorted(name for name, rel in reg.items()
                  if isinstance(rel, dict) and rel.get('conversion_func') == 'gemma_3' and '-res' in name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('yaml', help='sae_lens/pretrained_saes.yaml from the SAELens repository')
    ap.add_argument('--out', default='web/catalog.json')
    ap.add_argument('--source', default='', help='where the yaml came from (repository, commit, version)')
    a = ap.parse_args()
    with open(a.yaml, encoding='utf-8') as f:
        reg = yaml.safe_load(f)
    if not isinstance(reg, dict):
        fail(f'{a.yaml}: not a SAELens registry (expected a mapping of releases)')
    entries = gemma_scope_entries(reg) + saelens_entries(reg)
    catalog = {
        'format': 'saematch-catalog', 'version': 1,
        'generated_from': {'file': 'sae_lens/pretrained_saes.yaml', 'source': a.source},
        'hub': 'https://huggingface.co',
        'not_listed': {
            'gemma-scope-2': GEMMA_SCOPE_2_NOTE,
            'gemma-scope-2-releases-in-registry': gemma_scope_2_releases(reg),
        },
        'entries': entries,
    }
    with open(a.out, 'w', encoding='utf-8') as f:
        json.dump(catalog, f, indent=1)
        f.write('\n')
    print(f'wrote {len(entries)} catalog entries to {a.out}: ' + ', '.join(f'{e["id"]} ({len(e["layers"])} layers)' for e in entries))


if __name__ == '__main__':
    main()
