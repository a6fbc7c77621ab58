#pragma once
namespace cli {
int cmd_info(int argc, char** argv);
int cmd_match(int argc, char** argv);
int cmd_chain(int argc, char** argv);
int cmd_eval(int argc, char** argv);
int cmd_pack(int argc, char** argv);
int cmd_synth(int argc, char** argv);
int cmd_compare(int argc, char** argv);  // cli/compare.cpp
}  // namespace cli
