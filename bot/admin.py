"""Carrying out admin commands: Redis, the RQ registries, the WeChat menu API.

``handlers/admin.py`` has already checked who asked and what; each function
here does one command and words the answer, which goes back as the passive
reply. Everything is a few Redis round trips, except ``/menu sync``, which
calls WeChat with a short timeout (``ADMIN_TIMEOUT``) so the answer still
leaves inside the 5-second window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from rq import Worker
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job

from bot import callback, custom_menu, metrics
from bot.incoming import Incoming, scoped
from bot.limits import Report, last_days
from bot.ocr.base import DocType
from bot.runtime import Runtime
from bot.wechat_api import ApiError, OfficialApi
from handlers.state import AdminCommand

log = logging.getLogger(__name__)

RETRIED = "admin_retried"  # job meta: /retry re-queued this job once already


def run(rt: Runtime, msg: Incoming, command: AdminCommand) -> str:
    """The answer to one admin command. A command that breaks says so; it never goes quiet."""
    log.info("admin command /%s from %s on %s", command.name, msg.user, msg.channel.value)
    metrics.ADMIN_COMMANDS.labels(command.name, "run").inc()
    arg = command.arg
    if command.name in ("block", "unblock"):
        arg = scoped(arg, msg.channel)  # a bare id is a user of the admin's own channel
    try:
        return COMMANDS[command.name](rt, arg)
    except Exception:
        log.exception("admin command /%s failed", command.name)
        return f"/{command.name} 执行失败，详见日志。"


# --- /stats ------------------------------------------------------------------------


def stats(rt: Runtime, arg: str) -> str:
    days = last_days(7 if arg == "7d" else 1)
    report = rt.usage.report(days, rt.quota)
    span = f"今天 {days[0]}" if len(days) == 1 else f"近7天 {days[-1]} 至 {days[0]}"
    lines = [f"统计（{span}，北京时间）", *stats_lines(report)]
    waiting = len(rt.outbox.failed())
    if waiting:
        lines.append(f"未送达、等待 /resend 的结果回调：{waiting}")
    return "\n".join(lines)


def stats_lines(report: Report) -> list[str]:
    jobs = report.jobs()
    ok = sum(n for (_, _, outcome), n in jobs.items() if outcome == "ok")
    total = sum(jobs.values())
    lines = [
        f"消息 {report.get('messages')}，照片 {report.get('photos')}",
        f"识别任务 {total}：成功 {ok}，失败 {total - ok}"
        + (f"，成功率 {ok / total:.0%}" if total else ""),
    ]
    by_type: dict[tuple[str, str], dict[str, int]] = {}
    for (doc_type, engine, outcome), n in sorted(jobs.items()):
        by_type.setdefault((doc_type, engine), {})[outcome] = n
    for (doc_type, engine), outcomes in by_type.items():
        label = DocType(doc_type).label if doc_type in DocType._value2member_map_ else doc_type
        parts = "，".join(f"{'成功' if o == 'ok' else o} {n}" for o, n in outcomes.items())
        lines.append(f"  {label} · {engine}：{parts}")
    if report.median is not None:
        lines.append(f"照片到回复：中位 {report.median:.1f} 秒，P95 {report.p95:.1f} 秒")
    used = report.quota_used
    quota = "，".join(f"{k} {v}/{report.quota_daily}" for k, v in sorted(used.items()))
    lines.append(f"微信OCR今日调用：{quota or '0'}（每接口每日 {report.quota_daily}）")
    delivered, failed = report.get("callback:delivered"), report.get("callback:failed")
    if delivered or failed:
        lines.append(f"结果回调：送达 {delivered}，重试用尽 {failed}（/resend 重新发送）")
    fallbacks = report.fallbacks()
    if fallbacks:
        parts = "，".join(f"{k.replace(':', ' ')} {n}" for k, n in sorted(fallbacks.items()))
        lines.append(f"引擎回退：{parts}")
    return lines


# --- /queue, /retry, /purge ----------------------------------------------------------


def queue(rt: Runtime, arg: str) -> str:
    lines = []
    for q in rt.queues:
        lines.append(
            f"队列 {q.name}：等待 {len(q)}，运行中 {len(q.started_job_registry)}，"
            f"重试等待 {len(q.scheduled_job_registry)}，失败 {len(q.failed_job_registry)}"
        )
    lines.append(f"在线 worker：{Worker.count(connection=rt.redis)}")
    return "\n".join(lines)


def retry(rt: Runtime, arg: str) -> str:
    """Re-queue each failed job once; a job that fails again after that stays failed."""
    requeued = skipped = 0
    for q in rt.queues:
        registry = q.failed_job_registry
        for job_id in registry.get_job_ids():
            try:
                job = Job.fetch(job_id, connection=rt.redis)
            except NoSuchJobError:
                registry.remove(job_id)
                continue
            if job.meta.get(RETRIED):
                skipped += 1
                continue
            job.meta[RETRIED] = True
            job.save_meta()
            try:
                registry.requeue(job)
            except InvalidJobOperation:  # another admin got there first
                continue
            requeued += 1
    answer = f"已重新排队 {requeued} 个失败任务。"
    if skipped:
        answer += f"\n{skipped} 个已重试过一次，未再排队（可用 /purge 清除）。"
    return answer


def purge(rt: Runtime, arg: str) -> str:
    dropped = 0
    for q in rt.queues:
        registry = q.failed_job_registry
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
            dropped += 1
    return f"已清除 {dropped} 个失败任务。"


# --- /engine -------------------------------------------------------------------------


def engine(rt: Runtime, arg: str) -> str:
    if not arg:
        chain = ",".join(rt.engine_chain())
        return f"当前引擎：{chain}（OCR_ENGINE={rt.settings.ocr_engine}）"
    chain = rt.set_engine_chain(tuple(n.strip() for n in arg.split(",") if n.strip()))
    log.info("engine chain switched to %s", ",".join(chain))
    return f"已切换引擎为 {','.join(chain)}，所有 worker 从下一个任务起生效。"


# --- /block, /unblock ----------------------------------------------------------------


def block(rt: Runtime, who: str) -> str:
    """``who`` is an identity (``official:<openid>``, ``wecom:<userid>``)."""
    if who in rt.settings.admins:
        return "不能拉黑管理员。"
    fresh = rt.blocks.block(who)
    return f"已拉黑 {shown(who)}。" if fresh else f"{shown(who)} 已在黑名单中。"


def unblock(rt: Runtime, who: str) -> str:
    was = rt.blocks.unblock(who)
    return f"已解除 {shown(who)}。" if was else f"{shown(who)} 不在黑名单中。"


def shown(who: str) -> str:
    """``official:erin`` -> ``erin（公众号）``."""
    channel, _, user = who.partition(":")
    return f"{user}（{CHANNEL_NAMES.get(channel, channel)}）"


CHANNEL_NAMES = {"official": "公众号", "wecom": "企业微信"}


# --- /menu sync ----------------------------------------------------------------------


def menu_sync(rt: Runtime, arg: str) -> str:
    if not (rt.settings.official_enabled or rt.settings.wechat_cloudrun):
        return "未配置公众号（WECHAT_TOKEN），没有可同步的菜单。"
    quick = rt.settings.model_copy(update={"http_timeout": rt.settings.admin_timeout})
    try:
        pushed = custom_menu.sync(OfficialApi(quick, rt.redis))
    except ApiError as error:
        return f"菜单同步失败：{error.errcode} {error.errmsg}"
    except custom_menu.MenuError as error:
        return f"菜单文件有误：{error}"
    keys = custom_menu.click_keys(pushed)
    return f"菜单已同步：{len(pushed['button'])} 个按钮，{len(keys)} 个点击项。"


# --- /resend ------------------------------------------------------------------------


def resend(rt: Runtime, event_id: str) -> str:
    if not rt.settings.result_webhook_url:
        return "未配置结果回调（RESULT_WEBHOOK_URL）。"
    queued = callback.resend(rt, event_id)
    if event_id and not queued:
        return f"{event_id} 已送达或已过期，未重新发送。"
    return f"已重新排队 {len(queued)} 个结果回调。"


COMMANDS: dict[str, Callable[[Runtime, str], str]] = {
    "stats": stats,
    "queue": queue,
    "retry": retry,
    "purge": purge,
    "engine": engine,
    "block": block,
    "unblock": unblock,
    "menu_sync": menu_sync,
    "resend": resend,
}
