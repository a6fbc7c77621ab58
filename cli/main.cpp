// saematch: command-line front end of the SAE Match core.
#include "commands.h"
#include "result_pack.h"
#include "saematch/error.h"
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

static const char* kUsage =
  "usage: saematch <command> [options]\n"
  "  info FILE                          describe an SAE (params.npz, .safetensors, SAELens folder)\n"
  "  match A B --out perm.json          exact feature matching A -> B\n"
  "        [--w-dec 1] [--w-enc 0] [--w-b 0] [--cosine] [--no-fold] [--topk 32] [--dense-max 2048] [--int8] [--screen | --no-screen] [--threads N]\n"
  "  chain L0 L1 ... --out chains.json  match consecutive layers and compose chains\n"
  "        [--q 0.9] [--direct]  (plus the match options)\n"
  "        [--pack DIR (plus the pack options)]  also write a result pack: the layers as `pack`\n"
  "                                     writes them, matched as the browser would, with duals\n"
  "  verify-pack DIR [--hop K]          re-certify a result pack's hops from their duals\n"
  "  eval --sae-t A --sae-t1 B --acts-t X.npy --acts-t1 Y.npy [--perm perm.json]\n"
  "                                     layer-skip explained variance with baselines\n"
  "  compare A B [--out cmp.json]       SAE Match vs no folding, top-1 cosine, encoder+decoder\n"
  "        [--pack manifest.json (A, B: layer positions)] (plus the cost options, --int8)\n"
  "  pack L0 L1 ... --out DIR           browser pack: manifest.json + shards\n"
  "        [--quant int8|fp16|f32] [--shard-mib 8] [--labels-dir D] [--model M] [--title T]\n"
  "        [--neuronpedia-model M --neuronpedia-source S [--neuronpedia-explanations DIR]]\n"
  "                                     DIR: Neuronpedia's explanation export (batch-N.jsonl.gz) -> labels\n"
  "  synth --out DIR [--layers 4] [--F 512] [--d 64] [--noise 0.05] [--death 0.05]\n"
  "        [--theta-spread 1] [--seed 1] [--acts N] [--pack]\n"
  "                                     synthetic SAEs with planted chains (truth.json)\n"
  "  info, match, chain, eval, pack also take [--max-array-mib 2048]: the most one array of an input\n"
  "  file may claim (sizes in headers are checked against it and the file before anything is allocated)\n";

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string c = argv[1];
  try {
    if (c == "info") return cli::cmd_info(argc, argv);
    if (c == "match") return cli::cmd_match(argc, argv);
    if (c == "chain") return cli::cmd_chain(argc, argv);
    if (c == "eval") return cli::cmd_eval(argc, argv);
    if (c == "pack") return cli::cmd_pack(argc, argv);
    if (c == "synth") return cli::cmd_synth(argc, argv);
    if (c == "compare") return cli::cmd_compare(argc, argv);
    if (c == "verify-pack") return cli::cmd_verify_pack(argc, argv);
    std::fprintf(stderr, "saematch: unknown command '%s'\n%s", c.c_str(), kUsage);
    return 2;
  } catch (const saematch::Error& e) {
    std::fprintf(stderr, "saematch: error: %s\n", e.what());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "saematch: error: out of memory (input too large for this machine?)\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "saematch: error: %s\n", e.what());
  }
  return 1;
}
