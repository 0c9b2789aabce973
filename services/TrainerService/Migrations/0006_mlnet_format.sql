-- A version's file may also be an ML.NET model made elsewhere (a .zip), read through the descriptor it was registered
-- with, as an ONNX one is.
ALTER TABLE model_versions DROP CONSTRAINT model_versions_format_check;
ALTER TABLE model_versions ADD CONSTRAINT model_versions_format_check CHECK (format IN ('mlops-model', 'onnx', 'mlnet'));
ALTER TABLE model_versions DROP CONSTRAINT model_versions_descriptor_check;
ALTER TABLE model_versions ADD CONSTRAINT model_versions_descriptor_check CHECK ((format IN ('onnx', 'mlnet')) = (descriptor IS NOT NULL));
