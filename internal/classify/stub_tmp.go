package classify

type bizMatcher struct{}

func newBizMatcher(rules []BusinessRule) (*bizMatcher, error) {
	for _, r := range rules {
		if _, err := compilePatterns(r.ID, r.Patterns); err != nil {
			return nil, err
		}
	}
	return &bizMatcher{}, nil
}

type scanner struct {
	eng *Engine
	dst []Finding
}

func newScanner() *scanner { return &scanner{} }

func (s *scanner) reset() { s.dst = nil; s.eng = nil }

func (s *scanner) scanText(body []byte) {}

func (s *scanner) scanJSON(body []byte) error { return nil }
