-- A version's file is one of our model files or an ONNX model made elsewhere, read through the descriptor it was
-- registered with (POST /api/models/{name}/versions).
ALTER TABLE model_versions ADD COLUMN format text NOT NULL DEFAULT 'mlops-model' CHECK (format IN ('mlops-model', 'onnx'));
ALTER TABLE model_versions ADD COLUMN descriptor jsonb;
ALTER TABLE model_versions ADD CONSTRAINT model_versions_descriptor_check CHECK ((format = 'onnx') = (descriptor IS NOT NULL));
