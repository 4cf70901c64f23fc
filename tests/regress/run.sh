echo "regress: not yet"; exit 0
