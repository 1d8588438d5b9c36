"""Background processing of confirmed bulk award jobs."""

from django.tasks import task

from . import services


@task
def bulk_job_process_task(job_id: int) -> dict:
    job = services.bulk_job_process(job_id=job_id)
    return {"status": job.status, "awarded": job.awarded_count, "failed": job.failed_count}
