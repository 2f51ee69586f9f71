print("taskiq-run: usage: taskiq-run [worker|check|tasks|kick] -c FILE")
