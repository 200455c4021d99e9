{
  "targets": [
    {
      "target_name": "srt_datapath",
      "sources": ["<!@(ls -1 native/src/*.c)"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-fvisibility=hidden"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
