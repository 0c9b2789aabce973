-- Why a job has its task: given in the request, or inferred from the target and the algorithm (shown in the job's answer).
ALTER TABLE jobs ADD COLUMN task_reason text;
