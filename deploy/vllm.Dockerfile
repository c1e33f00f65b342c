# vLLM's OpenAI server with Whetstone's LoRA resolver plugin (deploy/vllm-plugin), for the vLLM
# Deployments of deploy/kubernetes/vllm.yaml and the vLLM service of compose.vllm.yaml:
#   docker build -f deploy/vllm.Dockerfile -t whetstone-vllm .
# The plugin needs nothing but vLLM and the standard library, hence --no-deps.
ARG VLLM_IMAGE=vllm/vllm-openai:v0.32.0
FROM ${VLLM_IMAGE}
COPY deploy/vllm-plugin /opt/whetstone-vllm-plugin
# vLLM's images install with uv and may carry no pip; either installs the plugin.
RUN if command -v uv >/dev/null; then uv pip install --system --no-deps /opt/whetstone-vllm-plugin; \
    else python3 -m pip install --no-cache-dir --no-deps /opt/whetstone-vllm-plugin; fi
ENTRYPOINT ["vllm", "serve"]
