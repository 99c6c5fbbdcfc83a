module paved.dev/paved

go 1.26.8
