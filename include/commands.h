/* One function per subcommand (git's builtin/ style); each returns an
 * exit code and leaves the error message in err.h's buffer. */
#ifndef AUCLUST_COMMANDS_H
#define AUCLUST_COMMANDS_H
int cmd_featurize(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_cv(int argc, char **argv);
int cmd_heatmap(int argc, char **argv);
int cmd_fingerprint(int argc, char **argv);
int cmd_distill(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_suggest(int argc, char **argv);
int cmd_loop(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_report(int argc, char **argv);
#endif
