/* Helpers shared by drivers. */
#include "driver.h"

#include <stdio.h>

void rig_drv_written(const struct rig_drv_ctx *ctx)
{
	if (ctx->written)
		ctx->written(ctx->owner);
}

void rig_drv_event(const struct rig_drv_ctx *ctx, const char *kind, const char *fmt, ...)
{
	char detail[1024];
	va_list ap;

	if (!ctx->event)
		return;
	detail[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	ctx->event(ctx->owner, rig_now_ns(), kind, fmt ? detail : NULL);
}

int rig_drv_fail(const struct rig_drv_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	if (ctx->err) {
		va_start(ap, fmt);
		rig_errmsg_vset(ctx->err, fmt, ap);
		va_end(ap);
	}
	return err;
}
