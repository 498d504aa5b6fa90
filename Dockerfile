# relu-viz in a container: docker build -t relu-viz . && docker run -p 8501:8501 relu-viz
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app.py ./
COPY relu_viz ./relu_viz
COPY ui ./ui
COPY .streamlit ./.streamlit
# Not root: a process that a visitor's input could ever subvert owns nothing but its own home and /tmp.
RUN useradd --create-home --uid 10001 --user-group relu
USER 10001
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4).read() != b'ok')"
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0", "--server.headless=true"]
