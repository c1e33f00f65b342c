# One image for the API, the scheduler, the engine and the Ray nodes (`ray start` runs from it,
# so the cluster and the API have the same Ray and Whetstone). CPU by default; for CUDA build with
#   docker build --build-arg BASE_IMAGE=nvidia/cuda:12.4.1-runtime-ubuntu22.04 --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu124 .
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
RUN if ! command -v python3 >/dev/null; then apt-get update && apt-get install -y --no-install-recommends python3 python3-pip python3-venv && rm -rf /var/lib/apt/lists/*; fi
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY service ./service
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --extra-index-url ${TORCH_INDEX} -c constraints.txt '.[ray]'
ENV PATH=/opt/venv/bin:$PATH \
    WHETSTONE_HOST=0.0.0.0 \
    WHETSTONE_DATA_DIR=/data
VOLUME /data
EXPOSE 8000
CMD ["whetstone", "serve"]
