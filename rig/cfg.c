/* rig_cfg: typed, validated configuration values (see cfg.h). */
#include "cfg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct rig_cfg *rig_cfg_new(const char *where)
{
	struct rig_cfg *cfg = rig_xcalloc(1, sizeof(*cfg));

	cfg->where = rig_xstrdup(where ? where : "");
	return cfg;
}

void rig_cfg_free(struct rig_cfg *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n; i++) {
		struct rig_cfg_val *v = &cfg->v[i];

		free(v->key);
		free(v->str);
		if (v->strv) {
			for (char **p = v->strv; *p; p++)
				free(*p);
			free(v->strv);
		}
		rig_cfg_free(v->sub);
	}
	free(cfg->v);
	free(cfg->where);
	free(cfg);
}

struct rig_cfg_val *rig_cfg_add(struct rig_cfg *cfg, const char *key, enum rig_opt_type type)
{
	struct rig_cfg_val *v;

	cfg->v = rig_xrealloc(cfg->v, (cfg->n + 1) * sizeof(*cfg->v));
	v = &cfg->v[cfg->n++];
	memset(v, 0, sizeof(*v));
	v->key = rig_xstrdup(key);
	v->type = type;
	v->luaref = -1;
	return v;
}

const struct rig_cfg_val *rig_cfg_get(const struct rig_cfg *cfg, const char *key)
{
	if (!cfg)
		return NULL;
	for (size_t i = 0; i < cfg->n; i++)
		if (strcmp(cfg->v[i].key, key) == 0)
			return &cfg->v[i];
	return NULL;
}

bool rig_cfg_has(const struct rig_cfg *cfg, const char *key)
{
	return rig_cfg_get(cfg, key) != NULL;
}

const char *rig_cfg_str(const struct rig_cfg *cfg, const char *key, const char *def)
{
	const struct rig_cfg_val *v = rig_cfg_get(cfg, key);

	return v && v->str ? v->str : def;
}

int64_t rig_cfg_int(const struct rig_cfg *cfg, const char *key, int64_t def)
{
	const struct rig_cfg_val *v = rig_cfg_get(cfg, key);

	if (!v || v->str || v->strv || v->sub)
		return def;
	return (int64_t)llround(v->num);
}

double rig_cfg_num(const struct rig_cfg *cfg, const char *key, double def)
{
	const struct rig_cfg_val *v = rig_cfg_get(cfg, key);

	if (!v || v->str || v->strv || v->sub)
		return def;
	return v->num;
}

bool rig_cfg_bool(const struct rig_cfg *cfg, const char *key, bool def)
{
	const struct rig_cfg_val *v = rig_cfg_get(cfg, key);

	if (!v || v->type != RIG_OPT_BOOL)
		return def;
	return v->num != 0;
}

char *const *rig_cfg_strv(const struct rig_cfg *cfg, const char *key, char ***tmp)
{
	const struct rig_cfg_val *v = rig_cfg_get(cfg, key);

	*tmp = NULL;
	if (!v)
		return NULL;
	if (v->strv)
		return v->strv;
	if (v->str) {
		char **argv = rig_xcalloc(4, sizeof(char *));

		argv[0] = "/bin/sh";
		argv[1] = "-c";
		argv[2] = v->str;
		*tmp = argv;
		return argv;
	}
	return NULL;
}
