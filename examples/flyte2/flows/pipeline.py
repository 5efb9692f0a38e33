"""Two tasks on the two environments, and a driver that chains them."""

from flows.envs import etl, report


@etl.task
async def count_rows(rows: list[str]) -> int:
    return len([r for r in rows if r.strip()])


@report.task
async def summarize(count: int) -> str:
    return f"{count} rows loaded"


@etl.task
async def main(rows: list[str]) -> str:
    return await summarize(await count_rows(rows))
